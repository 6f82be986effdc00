import HashrCore
import WatcherService

ServiceRunner.run(name: "istiowatcher", configuration: WatcherConfiguration.init(environment:)) { loop, configuration, logger in
    try WatcherService(loop: loop, configuration: configuration, logger: logger)
}
