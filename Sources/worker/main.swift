import HashrCore
import WorkerService

ServiceRunner.run(name: "worker", configuration: WorkerConfiguration.init(environment:)) { loop, configuration, logger in
    try WorkerService(loop: loop, configuration: configuration, logger: logger)
}
