namespace ErieCanal.Orleans.DataPlane.Bench;

/// <summary>A load shape (paced or flat out) run on every path in turn: a warm-up each, then the measured rounds.</summary>
public sealed record Scenario(string Name, Func<RequestPath, TimeSpan, CancellationToken, Task<Segment>> Run, TimeSpan Duration)
{
    /// <summary>
    /// Runs the rounds, forward then backward through <paramref name="paths"/> (A B B A for two), and merges each
    /// path's rounds, so both sides of a comparison share the machine's slow and quiet moments alike.
    /// </summary>
    public async Task<IReadOnlyList<PathResult>> RunAsync(IReadOnlyList<RequestPath> paths, BenchSettings settings, Action<string> progress, CancellationToken cancellationToken)
    {
        foreach (var path in paths)
        {
            progress($"{Name}: warm-up on {path.Name}");
            await Run(path, settings.WarmUp, cancellationToken);
        }

        var segments = paths.ToDictionary(p => p, _ => new List<Segment>());
        for (var round = 0; round < settings.Rounds; round++)
        {
            foreach (var path in round % 2 == 0 ? paths : paths.Reverse())
            {
                progress($"{Name}: round {round + 1}/{settings.Rounds} on {path.Name} (load average {LoadAverage.Read()})");
                var segment = await Run(path, Duration, cancellationToken);
                if (segment.Failures > 0)
                {
                    progress($"{Name}: {segment.Failures} failed on {path.Name}, first: {segment.FirstError}");
                }

                segments[path].Add(segment);
            }
        }

        return [.. paths.Select(p => PathResult.From(Name, p, Segment.Merge(segments[p])))];
    }
}
