namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>One property the exports of a service disagree on, with its KEP-style message.</summary>
internal sealed record McsConflict(string Reason, string Message);
