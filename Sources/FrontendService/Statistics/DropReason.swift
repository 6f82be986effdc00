/// Why a due request was never sent (see `RateScheduler`).
public enum DropReason: String, CaseIterable, Codable, Sendable {
    /// Its due time was more than the late tolerance ago when the loop got to it.
    case late
    /// `MAX_IN_FLIGHT` requests were already waiting for answers.
    case inFlightCap = "in_flight_cap"
}
