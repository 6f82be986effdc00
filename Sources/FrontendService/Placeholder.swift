enum FrontendServicePlaceholder {}
