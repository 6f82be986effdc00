enum WatcherServicePlaceholder {}
