import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A service running on the loop that can be stopped gracefully.
public protocol RunningService: AnyObject {
    /// Stop accepting work, finish what is in flight, close every handle, then call `completion`.
    func shutdown(completion: @escaping () -> Void)
}

/// What every executable's `main` does: read configuration (exit 2 with one clear line when it is
/// bad), run the service on the main thread's loop, and on SIGTERM or SIGINT shut it down
/// gracefully and exit 0.
public enum ServiceRunner {
    public static func run<Configuration>(
        name: String,
        configuration parse: (EnvironmentReader) throws -> Configuration,
        start: (EventLoop, Configuration, Logger) throws -> any RunningService
    ) -> Never {
        let environment = EnvironmentReader.process()
        let configuration: Configuration
        do {
            let level = try LogSetup.level(from: environment)
            let format = try LogSetup.format(from: environment)
            LogSetup.bootstrap(level: level, format: format)
            configuration = try parse(environment)
        } catch {
            exitWithMessage("\(name): \(error)", code: 2)
        }
        let logger = LogSetup.logger(name)
        let loop: EventLoop
        let service: any RunningService
        do {
            loop = try EventLoop()
            service = try start(loop, configuration, logger)
        } catch {
            exitWithMessage("\(name): cannot start: \(error)", code: 1)
        }
        var stopping = false
        var signals: SignalWatcher?
        do {
            signals = try SignalWatcher(loop: loop) { signal in
                guard !stopping else {
                    logger.warning("second signal \(signal): exiting now")
                    LogSink.installed?.flush(timeoutMilliseconds: 500)
                    exit(1)
                }
                stopping = true
                logger.info("signal \(signal): shutting down")
                service.shutdown {
                    signals?.close()
                    loop.stop()
                }
            }
        } catch {
            exitWithMessage("\(name): cannot watch signals: \(error)", code: 1)
        }
        let result = loop.run()
        if result != 0 { logger.warning("event loop closed with handles still open (\(result))") }
        logger.info("stopped")
        LogSink.installed?.flush()
        exit(0)
    }

    static func exitWithMessage(_ message: String, code: Int32) -> Never {
        LogSink.installed?.flush(timeoutMilliseconds: 500)
        var line = message + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        exit(code)
    }
}
