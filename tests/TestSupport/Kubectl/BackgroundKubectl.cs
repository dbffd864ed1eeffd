using System.Diagnostics;
using System.Text;
using Xunit;

namespace ErieCanal.Orleans.TestSupport.Kubectl;

/// <summary>
/// A kubectl that keeps running (a watch). Output lines are collected as they arrive; the process is killed on
/// dispose, or when its lifetime runs out so a stuck watch can never hang the test run.
/// </summary>
public sealed class BackgroundKubectl : IDisposable
{
    private readonly Process _process;
    private readonly string _command;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _lifetime;

    internal BackgroundKubectl(Process process, string command, TimeSpan lifetime)
    {
        _process = process;
        _command = command;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_lines)
                {
                    _lines.Add(e.Data);
                }

                _arrived.Release();
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _lifetime = new CancellationTokenSource(lifetime);
        _lifetime.Token.Register(() => KubectlRunner.Kill(_process));
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToList();
            }
        }
    }

    /// <summary>Waits until a line at index <paramref name="from"/> or later matches; returns its index.</summary>
    public async Task<int> WaitForLineAsync(Func<string, bool> match, int from = 0)
    {
        var deadline = Stopwatch.StartNew();
        var drained = false;
        while (true)
        {
            var lines = Lines;
            for (var i = from; i < lines.Count; i++)
            {
                if (match(lines[i]))
                {
                    return i;
                }
            }

            if (drained || deadline.Elapsed > KubectlRunner.DefaultWait)
            {
                Assert.Fail($"`{_command}` printed no matching line (exited: {_process.HasExited}); stdout:\n{string.Join('\n', lines)}\nstderr:\n{Stderr}");
            }

            if (_process.HasExited)
            {
                // Let the last lines through, look once more, then give up.
                _process.WaitForExit();
                drained = true;
                continue;
            }

            await _arrived.WaitAsync(TimeSpan.FromMilliseconds(500));
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public void Dispose()
    {
        KubectlRunner.Kill(_process);
        _process.WaitForExit(10_000);
        _process.Dispose();
        _lifetime.Dispose();
        _arrived.Dispose();
    }
}
