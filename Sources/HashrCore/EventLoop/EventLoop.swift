import CLibUV
import CHiredis
public enum Placeholder { public static let v = uv_version() }
