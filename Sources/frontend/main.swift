import FrontendService
import HashrCore

ServiceRunner.run(name: "frontend", configuration: FrontendConfiguration.init(environment:)) {
    loop, configuration, logger in
    try FrontendService(loop: loop, configuration: configuration, logger: logger)
}
