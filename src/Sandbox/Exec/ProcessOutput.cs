using System.Text;

namespace ErieCanal.Orleans.Sandbox.Exec;

/// <summary>One output stream (stdout or stderr) of a simulated process; where the bytes go is the caller's business.</summary>
public sealed class ProcessOutput(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink)
{
    /// <summary>An output nobody reads (a stream the client did not ask for).</summary>
    public static readonly ProcessOutput Discard = new((_, _) => ValueTask.CompletedTask);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        data.IsEmpty ? ValueTask.CompletedTask : sink(data, cancellationToken);

    public ValueTask WriteAsync(string text, CancellationToken cancellationToken) => WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    public ValueTask WriteLineAsync(string text, CancellationToken cancellationToken) => WriteAsync(text + "\n", cancellationToken);
}
