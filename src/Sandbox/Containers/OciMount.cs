namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>One mount of a container's OCI spec: a host path bound in (or a tmpfs when <paramref name="Type"/> says so).</summary>
public sealed record OciMount(string Destination, string Source, bool ReadOnly, string Type = "bind");
