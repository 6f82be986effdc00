/// The body of every error answer of the frontend's API, `{"error": "..."}`, as the tests read it.
struct ErrorBody: Decodable, Equatable {
    var error: String
}
