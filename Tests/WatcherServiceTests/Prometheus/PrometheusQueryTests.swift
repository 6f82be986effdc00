import Testing

@testable import WatcherService

@Suite struct PrometheusQueryTests {
    let query = PrometheusQuery(serverURL: "http://prom:9090/", expression: "up")

    private func decode(_ body: String, status: Int = 200) -> Observation {
        query.decode(status: status, body: Array(body.utf8))
    }

    private func vector(_ samples: [String]) -> String {
        let series = samples.map { #"{"metric":{"job":"w"},"value":[1700000000.123,"\#($0)"]}"# }
        return #"{"status":"success","data":{"resultType":"vector","result":[\#(series.joined(separator: ","))]}}"#
    }

    @Test func urlEncodesTheDefaultQuery() {
        let url = PrometheusQuery(serverURL: "http://prom:9090", expression: PrometheusQuery.defaultExpression).url
        #expect(
            url
                == "http://prom:9090/api/v1/query?query=sum%28rate%28istio_requests_total%7Breporter%3D%22destination%22"
                + "%2Cdestination_service%3D%22worker-service.default.svc.cluster.local%22%2Csource_workload%3D%22"
                + "frontend-deployment%22%7D%5B1m%5D%29%29%20by%20%28source_workload%2C%20source_app%2C%20"
                + "destination_service%29")
    }

    @Test(arguments: [
        (PrometheusQuery.defaultExpression, Duration?.some(.seconds(60))),
        ("sum(rate(worker_publishes_total[5s]))", .seconds(5)),
        ("rate(a[30s]) + rate(b[2m])", .seconds(120)),
        ("max_over_time(rate(x[1m])[5m:30s])", .seconds(300)),
        ("rate(x[1m30s])", .seconds(90)),
        ("rate(x[250ms])", .milliseconds(250)),
        ("rate(x[ 1h ])", .seconds(3600)),
        ("up", nil),
        ("x{path=\"[a]\"}", nil),
        ("rate(x[0s])", nil),
        ("rate(x[1q])", nil),
        ("rate(x[5s", nil),
    ])
    func longestRangeIsTheLongestRangeSelector(expression: String, expected: Duration?) {
        #expect(PrometheusQuery(serverURL: "http://p", expression: expression).longestRange == expected)
    }

    @Test func urlEncodesPlusAndKeepsPathPrefix() {
        let q = PrometheusQuery(serverURL: "https://host/prometheus///", expression: "a + b ~ é")
        #expect(q.serverURL == "https://host/prometheus")
        #expect(q.url == "https://host/prometheus/api/v1/query?query=a%20%2B%20b%20~%20%C3%A9")
    }

    @Test func defaultQueryUsesAOneMinuteWindow() {
        #expect(PrometheusQuery.defaultExpression.contains("[1m]"))
        #expect(PrometheusQuery.defaultExpression.hasPrefix("sum(rate(istio_requests_total{"))
    }

    @Test func oneSeriesIsAValue() {
        #expect(decode(vector(["17.25"])) == .value(17.25))
        #expect(decode(vector(["0"])) == .value(0))
        #expect(decode(vector(["1e3"])) == .value(1000))
    }

    @Test func emptyVectorIsNoData() {
        #expect(decode(vector([])) == .noData)
    }

    @Test func scalarResultIsAValue() {
        #expect(
            decode(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"4.5"]}}"#) == .value(4.5))
        #expect(
            decode(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"NaN"]}}"#)
                == .notANumber("NaN"))
    }

    @Test(arguments: ["NaN", "+Inf", "-Inf"])
    func nonFiniteValuesAreNotANumber(text: String) {
        #expect(decode(vector([text])) == .notANumber(text))
    }

    @Test func severalSeriesAskForSum() {
        guard case .error(let message) = decode(vector(["1", "2"])) else { Issue.record("not an error"); return }
        #expect(message.contains("2 series"))
        #expect(message.contains("sum("))
        #expect(message.contains(#"{"job":"w"}"#))
    }

    @Test func errorBodyIsReportedWithTypeAndMessage() {
        let body = #"{"status":"error","errorType":"bad_data","error":"parse error at char 4: unexpected \"}\""}"#
        guard case .error(let message) = decode(body, status: 400) else { Issue.record("not an error"); return }
        #expect(message == #"Prometheus answered HTTP 400: bad_data: parse error at char 4: unexpected "}""#)
        guard case .error(let ok) = decode(body, status: 200) else { Issue.record("not an error"); return }
        #expect(ok.contains("Prometheus reported an error: bad_data: parse error"))
    }

    @Test func non2xxWithoutJSONShowsTheBodyStart() {
        guard case .error(let message) = decode("<html>\nBad Gateway</html>", status: 502) else {
            Issue.record("not an error")
            return
        }
        #expect(message == "Prometheus answered HTTP 502: <html> Bad Gateway</html>")
        guard case .error(let empty) = decode("", status: 503) else { Issue.record("not an error"); return }
        #expect(empty == "Prometheus answered HTTP 503: (empty body)")
    }

    @Test(arguments: [
        ("not json", "malformed answer"),
        (#"{"data":{}}"#, "no \"status\""),
        (#"{"status":"success"}"#, "no data.resultType"),
        (#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#, "returned a matrix"),
        (#"{"status":"success","data":{"resultType":"string","result":[1,"x"]}}"#, "returned a string"),
        (#"{"status":"success","data":{"resultType":"vector","result":{}}}"#, "expected an array"),
        (#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}"#, "has no \"value\""),
        (#"{"status":"success","data":{"resultType":"vector","result":[{"value":[1]}]}}"#, "not [time, \"value\"]"),
        (#"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,2]}]}}"#, "not [time, \"value\"]"),
        (#"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"abc"]}]}}"#, "is not a number"),
        (#"{"status":"weird"}"#, "status weird"),
    ])
    func badAnswersAreErrors(body: String, fragment: String) {
        guard case .error(let message) = decode(body) else {
            Issue.record("\(body) was not an error")
            return
        }
        #expect(message.contains(fragment), "\(message)")
    }

    @Test func connectionFailureNamesTheServer() {
        #expect(
            query.connectionFailed("Connection refused")
                == .error("cannot query Prometheus at http://prom:9090: Connection refused"))
    }

    @Test func outcomeKindsHaveMetricLabels() {
        #expect(Observation.value(1).kind.rawValue == "value")
        #expect(Observation.noData.kind.rawValue == "no_data")
        #expect(Observation.notANumber("NaN").kind.rawValue == "nan")
        #expect(Observation.error("x").kind.rawValue == "error")
        #expect(Observation.Kind.allCases.count == 4)
    }
}
