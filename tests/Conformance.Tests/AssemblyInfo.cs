using Xunit;

// Every case shares one embedded system, and the cases' budgets are timing-bound: they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
