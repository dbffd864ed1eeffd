using System.Globalization;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>One line of a CRI log file: when, which stream, and the text.</summary>
public sealed record ContainerLogLine(DateTimeOffset Time, string RawTime, string Stream, string Text)
{
    public static ContainerLogLine? Parse(string line)
    {
        var parts = line.Split(' ', 4);
        return parts.Length == 4 && DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? new ContainerLogLine(time, parts[0], parts[1], parts[3])
            : null;
    }

    /// <summary>The line as <c>kubectl logs</c> shows it (with <c>--timestamps</c>: the time first).</summary>
    public string Render(bool timestamps) => timestamps ? $"{RawTime} {Text}\n" : Text + "\n";
}
