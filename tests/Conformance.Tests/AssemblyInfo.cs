using Xunit;

// The hello pods' socat listens on port 42 of every address (the suite's script binds no pod IP), and pods share the
// host's network namespace here: two sandboxes' hello pods at once would take each other's port.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
