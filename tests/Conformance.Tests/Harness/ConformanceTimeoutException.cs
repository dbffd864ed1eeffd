namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>A Gomega-style wait that ran out of its budget (or a Consistently that broke); a nested wait's own end is never retried.</summary>
public sealed class ConformanceTimeoutException(string message, Exception? inner = null) : Exception(message, inner);
