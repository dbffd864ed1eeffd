using System.Text;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// Writes one container instance's stdout and stderr to its log file in the CRI format the kubelet reads back
/// (<c>&lt;RFC 3339 time&gt; stdout|stderr F &lt;line&gt;</c>), one line per line the container wrote.
/// </summary>
public sealed class ContainerLogWriter : IDisposable
{
    private readonly Lock _gate = new();
    private readonly FileStream _file;

    public ContainerLogWriter(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
    }

    /// <summary>Copies a stream line by line until it ends (the container closed it, or exited).</summary>
    public async Task PumpAsync(Stream from, string stream)
    {
        var pending = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == '\n')
                {
                    pending.Write(buffer, start, i - start);
                    WriteLine(stream, pending.ToArray());
                    pending.SetLength(0);
                    start = i + 1;
                }
            }

            pending.Write(buffer, start, read - start);
        }

        if (pending.Length > 0)
        {
            WriteLine(stream, pending.ToArray());
        }
    }

    private void WriteLine(string stream, byte[] line)
    {
        var prefix = Encoding.ASCII.GetBytes($"{DateTimeOffset.UtcNow:yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'} {stream} F ");
        lock (_gate)
        {
            _file.Write(prefix);
            _file.Write(line);
            _file.WriteByte((byte)'\n');
            _file.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file.Dispose();
        }
    }
}
