using System.Net;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.DataPlane.MemberView;
using ErieCanal.Orleans.Interfaces.Mcs;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.Tests.Dns;

/// <summary>Writes mcs-api objects into a sandbox member through KubernetesClient, as the member-side writer will.</summary>
public static class McsObjects
{
    /// <summary>
    /// A minimal serviceimports.multicluster.x-k8s.io CRD (v1beta1, spec kept as given), unless the member already
    /// has one (the chart's CRDs may carry the real one).
    /// </summary>
    public static async Task EnsureServiceImportCrdAsync(IKubernetes client)
    {
        var crd = new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = $"{McsNames.ServiceImports}.{McsNames.Group}" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = McsNames.Group,
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames { Kind = McsNames.ServiceImportKind, ListKind = "ServiceImportList", Plural = McsNames.ServiceImports, Singular = "serviceimport" },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = McsNames.Version,
                        Served = true,
                        Storage = true,
                        Schema = new V1CustomResourceValidation
                        {
                            OpenAPIV3Schema = new V1JSONSchemaProps
                            {
                                Type = "object",
                                Properties = new Dictionary<string, V1JSONSchemaProps>
                                {
                                    ["spec"] = new() { Type = "object", XKubernetesPreserveUnknownFields = true },
                                    ["status"] = new() { Type = "object", XKubernetesPreserveUnknownFields = true },
                                },
                            },
                        },
                    },
                ],
            },
        };
        try
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }
    }

    public static async Task CreateImportAsync(IKubernetes client, McsServiceImport import) =>
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonNode.Parse(KubernetesJson.Serialize(import))!,
            McsNames.Group,
            McsNames.Version,
            import.Metadata.NamespaceProperty,
            McsNames.ServiceImports);

    public static async Task DeleteImportAsync(IKubernetes client, string ns, string name) =>
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(McsNames.Group, McsNames.Version, ns, McsNames.ServiceImports, name);
}
