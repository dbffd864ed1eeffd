using System.Net;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;
using static ErieCanal.Orleans.Sandbox.Tests.Api.CustomObjectJson;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>
/// A CRD's status.storedVersions only grows (a new storage version is appended, a stored one cannot leave
/// spec.versions), and webhook conversion, which the sandbox cannot call, is refused naming the field.
/// </summary>
public sealed class CrdVersionsTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private const string Group = "versions.example.com";

    private readonly Kubernetes _client = fixture.Client();

    [Fact]
    public async Task Changing_the_storage_version_appends_it_to_stored_versions()
    {
        var created = await _client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Crd("widgets", ("v1alpha1", true)));
        Assert.Equal(["v1alpha1"], created.Status.StoredVersions);

        var current = await _client.ApiextensionsV1.ReadCustomResourceDefinitionAsync($"widgets.{Group}");
        current.Spec.Versions = Crd("widgets", ("v1alpha1", false), ("v1beta1", true)).Spec.Versions;
        var moved = await _client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(current, current.Metadata.Name);
        Assert.Equal(["v1alpha1", "v1beta1"], moved.Status.StoredVersions);

        moved.Spec.Versions = Crd("widgets", ("v1beta1", true)).Spec.Versions;
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(moved, moved.Metadata.Name));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal(["status.storedVersions[0]: Invalid value: \"v1alpha1\": must appear in spec.versions"], Causes(error));

        var established = await Eventually.Until(
            () => _client.ApiextensionsV1.ReadCustomResourceDefinitionAsync($"widgets.{Group}"),
            c => c.Status.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true,
            "the CRD is established");
        Assert.Equal(["v1alpha1", "v1beta1"], established.Status.StoredVersions);
    }

    [Fact]
    public async Task Webhook_conversion_is_refused_naming_the_strategy()
    {
        var crd = Crd("gizmos", ("v1alpha1", false), ("v1", true));
        crd.Spec.Conversion = new V1CustomResourceConversion
        {
            Strategy = "Webhook",
            Webhook = new V1WebhookConversion
            {
                ConversionReviewVersions = ["v1"],
                ClientConfig = new Apiextensionsv1WebhookClientConfig { Url = "https://127.0.0.1:9443/convert" },
            },
        };

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Single(Causes(error));
        Assert.StartsWith("spec.conversion.strategy: Unsupported value: \"Webhook\"", Causes(error)[0], StringComparison.Ordinal);

        crd.Spec.Conversion = new V1CustomResourceConversion { Strategy = "None" };
        await _client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
    }

    private static V1CustomResourceDefinition Crd(string plural, params (string Name, bool Storage)[] versions) => new()
    {
        Metadata = new V1ObjectMeta { Name = $"{plural}.{Group}" },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = Group,
            Scope = "Namespaced",
            Names = new V1CustomResourceDefinitionNames { Kind = "Thing" + plural, Plural = plural },
            Versions = [.. versions.Select(v => new V1CustomResourceDefinitionVersion
            {
                Name = v.Name,
                Served = true,
                Storage = v.Storage,
                Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true } },
            })],
        },
    };
}
