import Glibc

/// Asks for a password on the terminal (`/dev/tty`, so it works with standard input and
/// output redirected), with echo off, as Python's getpass does for Ansible. The terminal's
/// settings come back afterwards, also when the user presses Ctrl-C.
public enum TerminalPrompt {
    /// The longest line read; a password is far shorter.
    static let longest = 64 * 1024

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    @Sendable public static func ask(_ prompt: String) throws -> String {
        try ask(prompt, device: "/dev/tty")
    }

    /// The line typed on `device` (a terminal) after `prompt`, without its line break.
    static func ask(_ prompt: String, device: String) throws -> String {
        let fd = open(device, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            throw Failure(description: "cannot prompt for the vault password: no terminal (\(device): \(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var saved = termios()
        let isTerminal = tcgetattr(fd, &saved) == 0
        if isTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            quiet.c_lflag |= tcflag_t(ICANON)
            EchoGuard.arm(fd: fd, saved: saved)
            _ = tcsetattr(fd, TCSAFLUSH, &quiet)
        }
        defer {
            if isTerminal {
                var restore = saved
                _ = tcsetattr(fd, TCSAFLUSH, &restore)
                EchoGuard.disarm()
            }
        }
        write(fd, Array(prompt.utf8))
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < longest {
            let count = read(fd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                write(fd, [0x0A])
                throw Failure(description: "no vault password was typed (end of input)")
            }
            if byte == 0x0A { break }
            line.append(byte)
        }
        write(fd, [0x0A])
        return String(decoding: line, as: UTF8.self)
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}

/// Puts the terminal's echo back if the process is interrupted while it is off: tcsetattr
/// is async-signal-safe, so the handler restores the settings, then lets the signal do
/// what it would have done.
private enum EchoGuard {
    // Set before the handlers are installed and cleared after they are removed; the
    // handlers only read them. One prompt at a time (prompts come one after another).
    nonisolated(unsafe) static var fd: Int32 = -1
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var previous: [Int32: sigaction] = [:]
    static let signals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    static func arm(fd: Int32, saved: termios) {
        Self.fd = fd
        Self.saved = saved
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                _ = tcsetattr(EchoGuard.fd, TCSAFLUSH, &EchoGuard.saved)
                Glibc.signal(signal, SIG_DFL)
                raise(signal)
            }
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            sigaction(signal, &action, &old)
            previous[signal] = old
        }
    }

    static func disarm() {
        for (signal, action) in previous {
            var action = action
            sigaction(signal, &action, nil)
        }
        previous = [:]
        fd = -1
    }
}
