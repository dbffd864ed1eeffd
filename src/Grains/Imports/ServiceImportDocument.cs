using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using k8s.Models;

namespace ErieCanal.Orleans.Grains.Imports;

/// <summary>
/// The ServiceImport object written from a merged import, typed. Its spec carries no health and no version, so
/// the content hash changes only when what the member must hold changes.
/// </summary>
public static class ServiceImportDocument
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static ServiceImportSpec Spec(MergedImport import) => new()
    {
        Type = import.Type,
        SessionAffinity = import.SessionAffinity,
        SessionAffinityConfig = import.SessionAffinityTimeoutSeconds is { } timeout
            ? new JsonObject { ["clientIP"] = new JsonObject { ["timeoutSeconds"] = timeout } }
            : null,
        ServiceAccountName = string.IsNullOrEmpty(import.ServiceAccountName) ? null : import.ServiceAccountName,
        Ports = [.. import.Ports.Select(p => new ServiceImportPort
        {
            Name = p.Name ?? "",
            Protocol = p.Protocol,
            AppProtocol = p.AppProtocol,
            Port = p.Port,
            Endpoints = [.. p.Endpoints.Select(e => new ServiceImportEndpoint
            {
                ClusterKey = e.ClusterKey,
                Target = new ServiceImportTarget { Host = e.Host, Ip = e.Ip, Port = e.Port, Path = e.Path },
            })],
        })],
    };

    /// <summary>A content hash of the spec (hex, 128 bits): equal specs, equal hashes.</summary>
    public static string Hash(ServiceImportSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(spec, Json)).AsSpan(0, 16));

    /// <summary>The document for server-side apply, labelled ours and annotated with its spec hash.</summary>
    public static ServiceImportResource Apply(MergedImport import, ServiceImportSpec spec, string hash) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = import.Name,
            NamespaceProperty = import.Namespace,
            Labels = new Dictionary<string, string> { [ServiceImportResource.ManagedByLabel] = ServiceImportResource.ManagedByValue },
            Annotations = new Dictionary<string, string>
            {
                [ServiceImportResource.VersionAnnotation] = import.Version.ToString(CultureInfo.InvariantCulture),
                [ServiceImportResource.SpecHashAnnotation] = hash,
            },
        },
        Spec = spec,
    };
}
