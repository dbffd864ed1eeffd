using System.Net;

namespace ErieCanal.Orleans.DataPlane.Dns;

/// <summary>The DNS listen form: an IP literal and a port, e.g. 127.0.0.1:5353, [::1]:5353 or 0.0.0.0:5353 in a pod.</summary>
public static class DnsListenAddress
{
    /// <summary>Null when <paramref name="listen"/> is usable, else why not.</summary>
    public static string? Describe(string? listen)
    {
        if (string.IsNullOrWhiteSpace(listen))
        {
            return "must be set, e.g. 127.0.0.1:5353";
        }

        // IPEndPoint.TryParse takes a bare address as port 0; a port must be written, so 0 is asked for on purpose.
        // An IPv6 address must be bracketed, or its last group would be read as the port.
        var hasPort = listen.StartsWith('[') ? listen.Contains("]:", StringComparison.Ordinal) : listen.Count(c => c == ':') == 1;
        if (!hasPort || !IPEndPoint.TryParse(listen, out _))
        {
            return $"'{listen}' is not an IP address and port such as 127.0.0.1:5353 or [::1]:5353";
        }

        return null;
    }

    public static IPEndPoint Parse(string listen) =>
        Describe(listen) is { } problem ? throw new FormatException(problem) : IPEndPoint.Parse(listen);
}
