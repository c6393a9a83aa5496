import Foundation
import Glibc

/// Non-blocking TCP connect, waited for on the event loop.
enum TCP {
    /// Resolves `endpoint.address` and connects to the first address that answers
    /// before the deadline. Returns a non-blocking socket.
    static func connect(_ endpoint: Endpoint, deadline: Deadline) async throws -> Int32 {
        let addresses = try await resolve(endpoint)
        var lastError: SSHError?
        for address in addresses {
            do {
                return try await connect(endpoint, to: address, deadline: deadline)
            } catch let error as SSHError {
                lastError = error
                if error.code == .timeout || error.code == .cancelled { throw error }
            }
        }
        throw lastError ?? failure(endpoint, .resolve, .resolutionFailed, "no address to connect to")
    }

    /// A resolved socket address, kept as bytes so it is Sendable.
    struct Address: Sendable {
        let family: Int32
        let bytes: [UInt8]
    }

    private static func resolve(_ endpoint: Endpoint) async throws -> [Address] {
        // A literal address never blocks; names go to getaddrinfo on a thread of its own,
        // since getaddrinfo blocks and the cooperative pool must not.
        if let literal = numeric(endpoint.address, port: endpoint.port) { return [literal] }
        let name = endpoint.address
        let port = endpoint.port
        let result: Result<[Address], SSHError> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: lookup(name, port: port, endpoint: endpoint))
            }
        }
        return try result.get()
    }

    private static func numeric(_ host: String, port: Int) -> Address? {
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            return Address(family: AF_INET, bytes: withUnsafeBytes(of: &v4) { Array($0) })
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
            return Address(family: AF_INET6, bytes: withUnsafeBytes(of: &v6) { Array($0) })
        }
        return nil
    }

    private static func lookup(_ name: String, port: Int, endpoint: Endpoint) -> Result<[Address], SSHError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(name, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            let why = rc == 0 ? "no address" : String(cString: gai_strerror(rc))
            return .failure(failure(endpoint, .resolve, .resolutionFailed, "cannot resolve \(name): \(why)"))
        }
        defer { freeaddrinfo(list) }
        var out: [Address] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            if let sa = ai.pointee.ai_addr {
                out.append(Address(family: ai.pointee.ai_family,
                                   bytes: Array(UnsafeRawBufferPointer(start: sa, count: Int(ai.pointee.ai_addrlen)))))
            }
            cursor = ai.pointee.ai_next
        }
        return .success(out)
    }

    private static func connect(_ endpoint: Endpoint, to address: Address, deadline: Deadline) async throws -> Int32 {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw failure(endpoint, .connect, .unreachable, "cannot create a socket: \(errnoText(errno))", errno: errno)
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = address.bytes.withUnsafeBytes { raw in
            Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if rc == 0 { return fd }
        let started = errno
        guard started == EINPROGRESS else {
            close(fd)
            throw connectFailure(endpoint, started)
        }
        switch await EventLoop.shared.wait(fd: fd, for: .writable, until: deadline) {
        case .ready:
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
            if err == 0 { return fd }
            close(fd)
            throw connectFailure(endpoint, err)
        case .timedOut:
            close(fd)
            throw failure(endpoint, .connect, .timeout, "no answer from \(endpoint.address) port \(endpoint.port) within the connect timeout")
        case .cancelled:
            close(fd)
            throw failure(endpoint, .connect, .cancelled, "cancelled while connecting")
        }
    }

    private static func connectFailure(_ endpoint: Endpoint, _ err: Int32) -> SSHError {
        let code: SSHError.Code
        switch err {
        case ECONNREFUSED: code = .connectionRefused
        case ETIMEDOUT: code = .timeout
        case ECONNRESET: code = .connectionLost
        default: code = .unreachable
        }
        return failure(endpoint, .connect, code, "cannot connect to port \(endpoint.port): \(errnoText(err))", errno: err)
    }

    static func failure(_ endpoint: Endpoint, _ phase: SSHError.Phase, _ code: SSHError.Code, _ message: String, errno: Int32? = nil) -> SSHError {
        SSHError(host: endpoint.name, address: endpoint.address, port: endpoint.port,
                 phase: phase, code: code, message: message, systemErrno: errno)
    }

    static func errnoText(_ err: Int32) -> String {
        String(cString: strerror(err))
    }
}
