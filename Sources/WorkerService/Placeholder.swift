enum WorkerServicePlaceholder {}
