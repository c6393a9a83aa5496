import CLibSSH2

/// A direct-tcpip channel of a jump host's session, that another session speaks SSH through
/// (OpenSSH's ProxyJump, `ssh -W`).
///
/// The inner session's libssh2 reads and writes through `pf_tunnel_recv`/`pf_tunnel_send`
/// (shim.h, which says how they keep libssh2's non-blocking rules), and they call the
/// channel without blocking; when the channel can take or give nothing, the inner call returns
/// EAGAIN and the inner session waits for the outermost socket (``Session/waitSocket(_:until:)``).
/// No thread and no socket pair: the bytes go from one libssh2 session to the other in the task
/// that drives the inner session. Each tunnelled session has a jump host session of its own,
/// so the jump host's libssh2 is only ever entered from that task.
final class Tunnel: @unchecked Sendable {
    let outer: Session
    let channel: OpaquePointer
    /// What the C callbacks find through the inner session's abstract pointer.
    let state: UnsafeMutablePointer<pf_tunnel>

    private init?(outer: Session, outerRaw: OpaquePointer, channel: OpaquePointer) {
        guard let state = pf_tunnel_new(outerRaw, channel) else { return nil }
        self.outer = outer
        self.channel = channel
        self.state = state
    }

    deinit {
        pf_tunnel_free(state)
    }

    /// Asks `outer`'s server to connect to `target` and carry the connection in a channel.
    static func open(through outer: Session, to target: Endpoint, deadline: Deadline) async throws -> Tunnel {
        let raw = try outer.live(.connect)
        while true {
            if let channel = libssh2_channel_direct_tcpip_ex(raw, target.address, Int32(target.port), "127.0.0.1", 22) {
                guard let tunnel = Tunnel(outer: outer, outerRaw: raw, channel: channel) else {
                    _ = libssh2_channel_free(channel)
                    throw SSHError(host: target.name, address: target.address, port: target.port, phase: .connect,
                                   code: .protocolError, message: "out of memory for a tunnel through \(outer.endpoint.name)")
                }
                return tunnel
            }
            let rc = libssh2_session_last_errno(raw)
            guard rc == LIBSSH2_ERROR_EAGAIN else {
                let detail = lastErrorMessage(raw)
                // "Channel open failure (connect failed)" is the far side refusing or not
                // answering: worth another try. "(admin prohibited)" is sshd's
                // AllowTcpForwarding/PermitOpen: it stays so.
                let prohibited = detail.contains("prohibited")
                throw SSHError(host: target.name, address: target.address, port: target.port, phase: .connect,
                               code: prohibited ? .channelFailure : .unreachable,
                               message: "the jump host \(outer.endpoint.name) could not connect to \(target.address) port \(target.port)"
                                   + (detail.isEmpty ? "" : ": \(detail)")
                                   + (prohibited ? " (its sshd does not allow TCP forwarding to it: AllowTcpForwarding, PermitOpen)" : ""),
                               libssh2Code: rc)
            }
            do {
                try await outer.waitSocket(.connect, until: deadline)
            } catch let error as SSHError {
                throw SSHError(host: target.name, address: target.address, port: target.port, phase: .connect, code: error.code,
                               message: "through the jump host \(outer.endpoint.name): \(error.message)")
            }
        }
    }

    /// Closes the channel, then the jump host's session (which closes its own tunnel, if any).
    func close() async {
        if (try? outer.live(.disconnect)) != nil {
            _ = try? await outer.call(.disconnect, until: .after(.seconds(2))) { libssh2_channel_free(channel) }
        }
        await outer.close()
    }
}

extension SSHError {
    /// This failure, met on the way to `target` at its jump host `jump`, as `target`'s: the
    /// report names the host the user asked for, and says which jump host failed.
    func reached(through jump: Endpoint, for target: Endpoint) -> SSHError {
        let place = jump.address.contains(":") ? "[\(jump.address)]:\(jump.port)" : "\(jump.address):\(jump.port)"
        return SSHError(host: target.name, address: target.address, port: target.port, phase: phase, code: code,
                        message: "jump host \(jump.name) (\(place)): \(message)", libssh2Code: libssh2Code, systemErrno: systemErrno)
    }
}
