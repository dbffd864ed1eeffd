using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Grains.Members;

/// <summary>
/// Decides a member's health from every silo's probe reports, with hysteresis. Once per probe round it looks at the
/// fresh reports (newer than <c>freshRounds</c> probe intervals): the round is bad when most silos saw the API server
/// or the gateway fail (a tie is not a majority), so one partitioned silo cannot evict a healthy member. Health
/// flips only after <c>unhealthyThreshold</c> bad rounds in a row, and back after <c>healthyThreshold</c> good ones,
/// so a single lost probe cannot flap it. A round without fresh reports changes nothing.
/// Plain state, no I/O: its owner (the ClusterGrain) calls it on its scheduler.
/// </summary>
public sealed class MemberHealthJudge(TimeProvider time, TimeSpan probeInterval, int freshRounds, int unhealthyThreshold, int healthyThreshold)
{
    private readonly Dictionary<string, Probe> _probes = new(StringComparer.Ordinal);
    private int _badRounds;
    private int _goodRounds;
    private DateTimeOffset _streakStarted;

    public bool Healthy { get; private set; } = true;

    public string Reason { get; private set; } = ConditionReasons.ProbesSucceeded;

    public string Message { get; private set; } = "no probe has failed";

    /// <summary>When the first round of the streak behind the current verdict was judged (fault or recovery first seen).</summary>
    public DateTimeOffset Since { get; private set; }

    /// <summary>One silo's latest probe of the member; a later report of the same silo replaces it.</summary>
    public void Record(string silo, bool apiServerOk, bool gatewayOk) => _probes[silo] = new Probe(time.GetUtcNow(), apiServerOk, gatewayOk);

    /// <summary>Judges one round; true when the member's health flipped (then <see cref="Healthy"/>, <see cref="Reason"/> and <see cref="Message"/> tell how).</summary>
    public bool JudgeRound()
    {
        var now = time.GetUtcNow();
        var freshness = probeInterval * freshRounds;
        foreach (var stale in _probes.Where(p => now - p.Value.At >= freshness).Select(p => p.Key).ToList())
        {
            _probes.Remove(stale);
        }

        var fresh = _probes.Values;
        if (fresh.Count == 0)
        {
            return false;
        }

        var bad = fresh.Count(p => !p.Api || !p.Gateway);
        if (bad * 2 > fresh.Count)
        {
            if (_badRounds == 0)
            {
                _streakStarted = now;
            }

            _badRounds++;
            _goodRounds = 0;
        }
        else
        {
            if (_goodRounds == 0)
            {
                _streakStarted = now;
            }

            _goodRounds++;
            _badRounds = 0;
        }

        if (Healthy && _badRounds >= unhealthyThreshold)
        {
            var apiDown = fresh.Count(p => !p.Api) * 2 > fresh.Count;
            Set(false, apiDown ? ConditionReasons.ApiServerUnreachable : ConditionReasons.GatewayUnreachable,
                $"{bad} of {fresh.Count} silos could not reach the member's {(apiDown ? "API server" : "gateway")} for {_badRounds} consecutive probe rounds");
            return true;
        }

        if (!Healthy && _goodRounds >= healthyThreshold)
        {
            Set(true, ConditionReasons.ProbesSucceeded, $"{fresh.Count} silos reached the member for {_goodRounds} consecutive probe rounds");
            return true;
        }

        return false;
    }

    private void Set(bool healthy, string reason, string message)
    {
        Healthy = healthy;
        Since = _streakStarted;
        Reason = reason;
        Message = message;
    }

    private sealed record Probe(DateTimeOffset At, bool Api, bool Gateway);
}
