using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Printing;

namespace ErieCanal.Orleans.Sandbox.Resources;

/// <summary>One served group/version/resource: what discovery advertises and what the router serves.</summary>
public sealed record ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Kind { get; init; }

    public required string Plural { get; init; }

    public string Singular { get; init; } = "";

    public bool Namespaced { get; init; } = true;

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    public bool HasStatus { get; init; }

    /// <summary>The verbs discovery advertises; the review kinds (access reviews, token reviews) only take create.</summary>
    public IReadOnlyList<string> Verbs { get; init; } = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>Subresources beyond status and scale that discovery advertises, with their verbs (serviceaccounts/token).</summary>
    public IReadOnlyList<(string Name, string Kind, string Group, IReadOnlyList<string> Verbs)> ExtraSubresources { get; init; } = [];

    /// <summary>Scale subresource paths (spec replicas, status replicas, label selector), when served.</summary>
    public ScaleSubresource? Scale { get; init; }

    /// <summary>CRD additionalPrinterColumns; null for built-in kinds, which print their own columns.</summary>
    public IReadOnlyList<PrinterColumn>? PrinterColumns { get; init; }

    /// <summary>CRD structural schema (openAPIV3Schema) used for defaulting, pruning and validation.</summary>
    public JsonObject? Schema { get; init; }

    public bool IsCustom { get; init; }

    /// <summary>Objects of every served version of a resource share one storage key.</summary>
    public string StorageKey => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string GroupVersion => ApiVersion;

    public string ListKind => Kind + "List";
}

public sealed record ScaleSubresource(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath);
