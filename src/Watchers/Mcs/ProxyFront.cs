using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// A Service whose endpoints are the member's client-side proxy: an MCS derived Service, or the same-name Service
/// written for a flomesh.io ServiceImport. Says which import its proxy slice routes to and which object owns it.
/// </summary>
public sealed record ProxyFront(
    string Namespace,
    string ServiceName,
    string ImportKind,
    string ImportName,
    string OwnerApiVersion,
    string OwnerKind,
    string OwnerUid,
    ImmutableArray<McsPort> Ports)
{
    public static ProxyFront ForDerived(McsDerivedService derived, string importUid)
    {
        ArgumentNullException.ThrowIfNull(derived);
        return new(derived.Namespace, derived.Name, ProxyListeners.McsKind, derived.ImportName, McsNames.ApiVersion, McsNames.ServiceImportKind, importUid, derived.Ports);
    }
}
