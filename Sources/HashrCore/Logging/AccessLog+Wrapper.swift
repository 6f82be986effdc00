/// The access log around every exchange: one line per answer, the server's own errors included.
extension AccessLog: HTTPExchangeWrapper {
    func finished(_ record: AccessRecord, route: String) {
        self.record(record)
    }
}
