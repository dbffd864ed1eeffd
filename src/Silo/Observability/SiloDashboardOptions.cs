namespace ErieCanal.Orleans.Silo.Observability;

/// <summary>
/// The Orleans Dashboard on the silo (section <c>Dashboard</c>). It shows grains, calls and silos to whoever can
/// reach it and has no authentication, so it listens on loopback by default (<c>kubectl port-forward</c> reaches a
/// pod's loopback).
/// </summary>
public sealed class SiloDashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>Run the dashboard. On by default (loopback only).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Its own listener (only dashboard pages are served there). Empty: under the silo's HTTP listener at
    /// <c>/dashboard</c>, as reachable as the API.
    /// </summary>
    public string? Url { get; set; } = "http://127.0.0.1:5081";

    /// <summary>The port of <see cref="Url"/>, or null when the dashboard shares the API listener.</summary>
    public int? Port => string.IsNullOrEmpty(Url) ? null : new Uri(Url).Port;
}
