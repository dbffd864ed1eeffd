using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Grains.Health;

/// <summary>
/// Decides the health of a probe target (a member, or one exported service's gateway path in a member) from every
/// silo's reports, on each report rather than on a timer. Hysteresis is per silo: a silo votes unhealthy only once it
/// has seen <c>unhealthyThreshold</c> failed probes in a row, and healthy again only after <c>healthyThreshold</c> good
/// ones; a shorter streak keeps its previous vote, so a single lost probe flips nothing. The target is unhealthy while
/// a strict majority of the silos with fresh reports vote so (a tie is not a majority), so one partitioned silo cannot
/// evict a healthy member. Reports older than <c>freshness</c> (by this judge's clock; or the report's own
/// <see cref="ProbeReport.FreshFor"/> when it names one) expire, so a dead silo's last
/// vote cannot hold a verdict; with no fresh report at all the verdict stands.
/// Plain state, no I/O: its owner (a grain) calls it on its scheduler.
/// </summary>
public sealed class MemberHealthJudge(TimeProvider time, TimeSpan freshness, int unhealthyThreshold, int healthyThreshold)
{
    private readonly Dictionary<string, Vote> _votes = new(StringComparer.Ordinal);

    public bool Healthy { get; private set; } = true;

    public string Reason { get; private set; } = ConditionReasons.ProbesSucceeded;

    public string Message { get; private set; } = "no probe has failed";

    /// <summary>When the first probe of the streak behind the current verdict ran (fault or recovery first seen by the earliest silo).</summary>
    public DateTimeOffset Since { get; private set; }

    /// <summary>Silos whose reports are fresh.</summary>
    public int FreshSilos => _votes.Count;

    /// <summary>
    /// Starts from a verdict decided before (by an earlier activation of the owner), before any report: silos new to
    /// this judge vote it until their streaks cross a threshold.
    /// </summary>
    /// <param name="unhealthyReason">The reason of an Unhealthy verdict; null for Healthy.</param>
    public void Resume(string? unhealthyReason)
    {
        if (_votes.Count == 0 && unhealthyReason is not null)
        {
            Set(false, unhealthyReason, time.GetUtcNow(), "unhealthy when last judged; waiting for the probes to recover");
        }
    }

    /// <summary>Records one silo's report and judges; true when the verdict flipped.</summary>
    public bool Record(ProbeReport report)
    {
        var now = time.GetUtcNow();
        var previous = _votes.GetValueOrDefault(report.Silo);
        if (previous is not null && report.At < previous.Report.At)
        {
            // A late report of this silo, overtaken by a newer one.
            return Judge();
        }

        // The vote changes only at a threshold; a streak in between keeps the silo's previous vote (or, for a silo
        // new to this judge, the current verdict).
        var (healthy, since) = previous is null ? (Healthy, report.StreakStarted) : (previous.Healthy, previous.Since);
        if (!report.Ok && report.Streak >= unhealthyThreshold && healthy)
        {
            (healthy, since) = (false, report.StreakStarted);
        }
        else if (report.Ok && report.Streak >= healthyThreshold && !healthy)
        {
            (healthy, since) = (true, report.StreakStarted);
        }

        _votes[report.Silo] = new Vote(now, report, healthy, since, healthy ? "" : previous is { Healthy: false } ? previous.Failure : report.Failure,
            healthy ? "" : previous is { Healthy: false } ? previous.Detail : report.Detail);
        return Judge();
    }

    /// <summary>Drops expired reports and judges again (its owner calls this on a timer); true when the verdict flipped.</summary>
    public bool Judge()
    {
        var now = time.GetUtcNow();
        foreach (var stale in _votes.Where(v => now - v.Value.ReceivedAt >= (v.Value.Report.FreshFor > TimeSpan.Zero ? v.Value.Report.FreshFor : freshness)).Select(v => v.Key).ToList())
        {
            _votes.Remove(stale);
        }

        if (_votes.Count == 0)
        {
            return false;
        }

        var bad = _votes.Values.Where(v => !v.Healthy).ToList();
        var unhealthy = bad.Count * 2 > _votes.Count;
        if (unhealthy == !Healthy)
        {
            return false;
        }

        if (unhealthy)
        {
            // The most common failure among the unhealthy votes names the verdict.
            var failure = bad.GroupBy(v => v.Failure).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
            var detail = failure.First().Detail;
            Set(false, failure.Key, bad.Min(v => v.Since),
                $"{bad.Count} of {_votes.Count} silos saw {unhealthyThreshold} or more failed probes in a row{(detail.Length > 0 ? $": {detail}" : "")}");
        }
        else
        {
            var good = _votes.Values.Where(v => v.Healthy).ToList();
            Set(true, ConditionReasons.ProbesSucceeded, good.Count > 0 ? good.Min(v => v.Since) : now,
                $"{good.Count} of {_votes.Count} silos saw {healthyThreshold} or more good probes in a row");
        }

        return true;
    }

    private void Set(bool healthy, string reason, DateTimeOffset since, string message)
    {
        Healthy = healthy;
        Reason = reason;
        Since = since;
        Message = message;
    }

    private sealed record Vote(DateTimeOffset ReceivedAt, ProbeReport Report, bool Healthy, DateTimeOffset Since, string Failure, string Detail);
}
