using System.Text.Json.Nodes;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Sessions;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Exports;

/// <summary>
/// Writes and removes the Ingress of a ServiceExport in its member (<c>svcexp-ing-&lt;name&gt;</c>): server-side
/// apply with our field manager, owned by the export (controller) so deleting the export collects it.
/// </summary>
public static class IngressWriter
{
    public const string FieldManager = "erie-canal-orleans";

    public static async Task ApplyAsync(IKubernetes client, string ns, string exportName, ExportIngress ingress, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(Document(ns, exportName, ingress).ToJsonString(), V1Patch.PatchType.ApplyPatch);
        await client.NetworkingV1.PatchNamespacedIngressAsync(patch, ExportIngresses.Name(exportName), ns,
            fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
    }

    public static async Task DeleteAsync(IKubernetes client, string ns, string exportName, CancellationToken cancellationToken)
    {
        try
        {
            await client.NetworkingV1.DeleteNamespacedIngressAsync(ExportIngresses.Name(exportName), ns, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
        }
    }

    /// <summary>Removes every Ingress of ours from a member (it leaves as if it never joined).</summary>
    public static async Task DeleteAllAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var ours = await client.NetworkingV1.ListIngressForAllNamespacesAsync(
            labelSelector: $"{ServiceImportResource.ManagedByLabel}={ServiceImportResource.ManagedByValue}", cancellationToken: cancellationToken);
        foreach (var ingress in ours.Items)
        {
            try
            {
                await client.NetworkingV1.DeleteNamespacedIngressAsync(ingress.Metadata.Name, ingress.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (ApiErrors.IsNotFound(ex))
            {
            }
        }
    }

    /// <summary>The apply document: no host, one HTTP path per rule, rewrite annotations only when asked for.</summary>
    public static JsonObject Document(string ns, string exportName, ExportIngress ingress)
    {
        var annotations = new JsonObject { [ExportIngresses.ExportAnnotation] = exportName };
        if (ingress.RewriteFrom is not null || ingress.RewriteTo is not null)
        {
            annotations[ExportIngresses.RewriteFromAnnotation] = ingress.RewriteFrom ?? "";
            annotations[ExportIngresses.RewriteToAnnotation] = ingress.RewriteTo ?? "";
        }

        return new JsonObject
        {
            ["apiVersion"] = "networking.k8s.io/v1",
            ["kind"] = "Ingress",
            ["metadata"] = new JsonObject
            {
                ["name"] = ExportIngresses.Name(exportName),
                ["namespace"] = ns,
                ["labels"] = new JsonObject { [ServiceImportResource.ManagedByLabel] = ServiceImportResource.ManagedByValue },
                ["annotations"] = annotations,
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = ServiceExportResource.GroupVersion,
                    ["kind"] = "ServiceExport",
                    ["name"] = exportName,
                    ["uid"] = ingress.OwnerUid,
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = false,
                }),
            },
            ["spec"] = new JsonObject
            {
                ["ingressClassName"] = ingress.IngressClass,
                ["rules"] = new JsonArray(new JsonObject
                {
                    ["http"] = new JsonObject
                    {
                        ["paths"] = new JsonArray(ingress.Paths.Select(p => (JsonNode)new JsonObject
                        {
                            ["path"] = p.Path,
                            ["pathType"] = p.PathType,
                            ["backend"] = new JsonObject
                            {
                                ["service"] = new JsonObject { ["name"] = p.Service, ["port"] = new JsonObject { ["number"] = p.Port } },
                            },
                        }).ToArray()),
                    },
                }),
            },
        };
    }
}
