namespace ErieCanal.Orleans.Sandbox.Exec.Curl;

/// <summary>A curl failure with curl's exit code and message (<c>curl: (7) Failed to connect ...</c>).</summary>
public sealed class CurlException(int exitCode, string message, bool usage = false) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>A command-line error: printed even with <c>-s</c>, followed by curl's hint to read the manual.</summary>
    public bool Usage { get; } = usage;

    public static CurlException Unknown(string option) => new(2, $"option {option}: is unknown", usage: true);

    public static CurlException Refused(string option, string what) => new(2, $"option {option}: {what} is not supported in this sandbox", usage: true);

    public static CurlException BadValue(string option, string why) => new(2, $"option {option}: {why}", usage: true);
}
