namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>What an engine has written into its member so far (for tests and the benchmark).</summary>
public sealed record WriterCounts(long SpecApplies, long RoutingPatches, long Deletes, long PolicyPatches);
