import Foundation
import Playbook
import Postfix
import SSH

/// What must hold on a host after its change before its batch counts as done, checked on
/// the host by one script (one round trip) that repeats the check until it has passed
/// `passes` times in a row, `interval` apart, or `deadline` has gone by.
///
/// For every enabled instance the target selects (`postmulti -l -g G`, `-i NAME`, `-a`):
/// - its master runs (`postfix -c DIR status`), unless `running` is off;
/// - each of its inet services run by smtpd or postscreen, unless `master_service_disable`
///   turns it off, answers a connection with a `220` banner within `bannerTimeout` (the
///   address is the service's own, or the first of `inet_interfaces`, 127.0.0.1 for `all`
///   and `loopback-only`; read with bash's /dev/tcp under timeout(1), both in every Debian);
/// - its deferred queue holds at most `maxDeferred` messages (`postqueue -j`), when set;
/// - when `tls` is on and its master runs and its configuration names a certificate
///   (`smtpd_tls_cert_file`, else `smtpd_tls_chain_files`): every listening socket its
///   master holds offers STARTTLS (or TLS from the first byte) and serves that certificate,
///   SHA-256 fingerprints compared on the host (``HealthProbe/tlsFunctions``).
public struct HealthGate: Sendable, Equatable {
    public var target: PostmultiCommand.Target
    public var running = true
    public var bannerTimeout: Duration = .seconds(5)
    public var maxDeferred: Int?
    public var tls = false
    public var passes = 2
    public var interval: Duration = .seconds(1)
    public var deadline: Duration = .seconds(30)
    /// Per instance group, checks that differ from `running`, `bannerTimeout`, `maxDeferred`, `tls`.
    public var groups: [String: Policy.GroupHealth] = [:]
    /// How the host's instances are asked whether they run (today always ``InstanceControl/postfix``).
    public var control: InstanceControl = .postfix

    /// The default gate for `target`.
    public init(target: PostmultiCommand.Target) {
        self.target = target
    }

    /// The gate a policy's `health:` asks for, or nil for `health: none`. Without `health:`
    /// a rolling policy gets the default gate.
    public init?(target: PostmultiCommand.Target, health: Policy.Health?) {
        self.init(target: target)
        switch health {
        case .none?: return nil
        case .default?, nil: break
        case let .custom(settings)?:
            running = settings.running ?? running
            bannerTimeout = settings.bannerTimeout ?? bannerTimeout
            maxDeferred = settings.maxDeferred ?? maxDeferred
            tls = settings.tls ?? tls
            passes = settings.passes ?? passes
            interval = settings.interval ?? interval
            deadline = settings.deadline ?? deadline
            groups = settings.groups
        }
    }

    /// The checks for an instance of `group` (or of no group): `running`, the banner
    /// timeout, the deferred limit (-1: none), `tls`, as shell words.
    func checks(_ group: String?) -> (running: String, timeout: String, maxDeferred: String, tls: String) {
        let own = group.flatMap { groups[$0] }
        let limit = own?.maxDeferred ?? maxDeferred
        return ((own?.running ?? running) ? "true" : "false", (own?.bannerTimeout ?? bannerTimeout).shellSeconds,
                limit.map(String.init) ?? "-1", (own?.tls ?? tls) ? "true" : "false")
    }

    /// Whether the check of some instance asks its listeners for their certificates.
    var checksTLS: Bool { tls || groups.values.contains { $0.tls == true } }

    /// The script (``HealthProbe``); it reports `gate ok TRIES` or `gate failed TRIES WHY`.
    public var script: String {
        func probeChecks(_ group: String?) -> HealthProbe.Checks {
            let c = checks(group)
            return HealthProbe.Checks(running: c.running, bannerTimeout: c.timeout, maxDeferred: c.maxDeferred, tls: c.tls)
        }
        return HealthProbe.script(selection: Self.selection(target), base: probeChecks(nil),
                                  groups: groups.keys.sorted().map { ($0, probeChecks($0)) }, passes: passes,
                                  interval: interval.shellSeconds, deadline: deadline.shellWholeSeconds, control: control)
    }

    static func selection(_ target: PostmultiCommand.Target) -> [String] {
        switch target {
        case let .instance(name): ["-i", name == PostfixInstance.defaultName ? "-" : name]
        case let .group(group): ["-g", group]
        case .all: ["-a"]
        }
    }

    /// What the script printed: whether the gate passed, after how many checks, and why not.
    public static func outcome(_ stdout: String) -> (passed: Bool, tries: Int, reason: String) {
        HealthProbe.outcome(stdout)
    }

    /// Runs the gate on `session`; its deadline bounds it, with a minute to spare (and two
    /// more with `tls`: a listener that answers neither STARTTLS nor TLS holds a check 15 s).
    public func run(on session: Session) async throws -> StepResult {
        let clock = ContinuousClock()
        let start = clock.now
        let longest = groups.values.compactMap(\.bannerTimeout).reduce(bannerTimeout) { $0 > $1 ? $0 : $1 }
        let tlsAllowance: Duration = checksTLS ? .seconds(120) : .zero
        let result = try await session.exec(script, timeout: deadline + longest * 4 + .seconds(60) + tlsAllowance)
        let (passed, tries, reason) = Self.outcome(result.stdoutText)
        let action = "health gate (\(passes) pass\(passes == 1 ? "" : "es") in a row)"
        return StepResult(action: action, status: passed ? .ok : .failed, seconds: (clock.now - start).seconds,
                          attempts: max(tries, 1), message: passed ? nil : reason)
    }
}
