import Glibc

/// A TCP port on 127.0.0.1 that listens and never answers: the address for a test host that
/// must not be contacted. `connections()` counts the connections made to it so far, so a
/// test proves "no host contacted" by what arrived, and no packet leaves the machine (an
/// address of 198.18.0.0/24 would go out by the default route when no lab is up).
final class LoopbackListener {
    let port: Int
    private let socket: Int32

    init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ListenerError.failed("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && listen(socket, 16) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { Glibc.close(socket); throw ListenerError.failed("bind/listen") }
        self.socket = socket
        port = Int(UInt16(bigEndian: address.sin_port))
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
    }

    deinit { Glibc.close(socket) }

    /// Accepts (and closes) every connection waiting, and says how many there were.
    func connections() -> Int {
        var count = 0
        while count < 10_000 {
            let client = accept(socket, nil, nil)
            if client < 0 { break }
            Glibc.close(client)
            count += 1
        }
        return count
    }

    enum ListenerError: Error { case failed(String) }
}

/// A port on 127.0.0.1 where nothing listens (bound, then closed): a host there is refused at
/// once, without a packet leaving the machine.
func closedLoopbackPort() throws -> Int {
    let listener = try LoopbackListener()
    return listener.port
}
