using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>
/// Names, labels and annotations of the Ingresses written for ServiceExports, and how an Ingress in a member reads
/// back as an <see cref="ExportIngress"/> (the writer and the watchers share them, so the two sides agree).
/// </summary>
public static class ExportIngresses
{
    public const string NamePrefix = "svcexp-ing-";

    /// <summary>Which export an Ingress of ours belongs to (an annotation: export names may exceed a label's 63 characters).</summary>
    public const string ExportAnnotation = "flomesh.io/service-export";

    public const string RewriteFromAnnotation = "pipy.ingress.kubernetes.io/rewrite-target-from";

    public const string RewriteToAnnotation = "pipy.ingress.kubernetes.io/rewrite-target-to";

    /// <summary>The pre-IngressClass way of naming the class, still honoured by controllers.</summary>
    public const string LegacyClassAnnotation = "kubernetes.io/ingress.class";

    public static string Name(string exportName) => NamePrefix + exportName;

    public static bool IsOurs(V1Ingress ingress) =>
        ingress.Metadata.Labels is { } labels
        && labels.TryGetValue(ServiceImportResource.ManagedByLabel, out var owner) && owner == ServiceImportResource.ManagedByValue;

    /// <summary>The export an Ingress of ours was written for, or null for anyone else's.</summary>
    public static string? ExportOf(V1Ingress ingress) =>
        IsOurs(ingress) && ingress.Metadata.Annotations is { } annotations && annotations.TryGetValue(ExportAnnotation, out var export) && export.Length > 0 ? export : null;

    public static string? ClassOf(V1Ingress ingress) =>
        ingress.Spec?.IngressClassName
        ?? (ingress.Metadata.Annotations is { } annotations && annotations.TryGetValue(LegacyClassAnnotation, out var legacy) ? legacy : null);

    /// <summary>Every HTTP path the Ingress routes (any host), as plain strings: what a path conflict compares.</summary>
    public static ImmutableArray<string> PathsOf(V1Ingress ingress) =>
        [.. (ingress.Spec?.Rules ?? []).SelectMany(r => r.Http?.Paths ?? []).Select(p => string.IsNullOrEmpty(p.Path) ? "/" : p.Path).Distinct(StringComparer.Ordinal)];

    /// <summary>The Ingress as the system would have written it, for comparison with what it wants.</summary>
    public static ExportIngress Read(V1Ingress ingress)
    {
        var annotations = ingress.Metadata.Annotations ?? new Dictionary<string, string>();
        var owner = ingress.Metadata.OwnerReferences?.FirstOrDefault(o => o.Kind == "ServiceExport" && o.Controller == true)?.Uid ?? "";
        var paths = (ingress.Spec?.Rules ?? [])
            .Where(r => string.IsNullOrEmpty(r.Host))
            .SelectMany(r => r.Http?.Paths ?? [])
            .Select(p => new IngressPath(p.Path ?? "", p.PathType ?? "", p.Backend?.Service?.Name ?? "", p.Backend?.Service?.Port?.Number ?? 0));
        var hosted = (ingress.Spec?.Rules ?? []).Any(r => !string.IsNullOrEmpty(r.Host));
        return new ExportIngress(
            ClassOf(ingress) ?? "",
            hosted ? [] : [.. paths],
            annotations.TryGetValue(RewriteFromAnnotation, out var from) ? from : null,
            annotations.TryGetValue(RewriteToAnnotation, out var to) ? to : null,
            owner);
    }
}
