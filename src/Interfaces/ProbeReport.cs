namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// One silo's view of a probe target (a member, or an exported service's path through its gateway), sent when its
/// result changes, while its streak is still short of the thresholds, and otherwise as a keep-alive.
/// <see cref="Streak"/> counts the consecutive probes with this result, the first of them at <see cref="StreakStarted"/>,
/// so the judging grain applies hysteresis without seeing every probe. <see cref="At"/> (the silo's clock) orders one
/// silo's reports: an older one arriving late is dropped. <see cref="Failure"/> is a condition reason when not
/// <see cref="Ok"/>, <see cref="Detail"/> what the probe saw. <see cref="FreshFor"/> is how long the report counts
/// (zero: the judge's configured window): a silo that probes less often (many members) says so.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProbeReport(
    string Silo,
    DateTimeOffset At,
    bool Ok,
    int Streak,
    DateTimeOffset StreakStarted,
    string Failure = "",
    string Detail = "",
    TimeSpan FreshFor = default);
