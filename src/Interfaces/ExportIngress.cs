using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// The Ingress a valid ServiceExport gets in its member (<c>svcexp-ing-&lt;name&gt;</c>), reduced to what the system
/// decides, so the wanted and the observed Ingress compare structurally and drift is a plain inequality.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ExportIngress(
    string IngressClass,
    ImmutableArray<IngressPath> Paths,
    string? RewriteFrom,
    string? RewriteTo,
    string OwnerUid)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(ExportIngress? other) => ReferenceEquals(this, other) || (other is not null
        && IngressClass == other.IngressClass && RewriteFrom == other.RewriteFrom && RewriteTo == other.RewriteTo && OwnerUid == other.OwnerUid && Sequence.Equal(Paths, other.Paths));

    public override int GetHashCode() => HashCode.Combine(IngressClass, RewriteFrom, RewriteTo, OwnerUid, Sequence.Hash(Paths));
}

/// <summary>One HTTP path of an export's Ingress: the rule's path and pathType, to the Service at the rule's port.</summary>
[GenerateSerializer, Immutable]
public sealed record IngressPath(string Path, string PathType, string Service, int Port);

/// <summary>Another Ingress of the same class in the member that already claims one of the export's paths.</summary>
[GenerateSerializer, Immutable]
public sealed record PathClaim(string Namespace, string IngressName, string Path);
