using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>
/// A user creating a Service whose name the system holds with a same-name Service for an import (docs/data-plane.md):
/// the create is refused with AlreadyExists, as for any existing object, and the documented way to take the name is
/// to delete ours and create yours. Any other conflict is the test's error.
/// </summary>
public static class ServiceNames
{
    public static async Task CreateTakingOverAsync(IKubernetes client, V1Service service)
    {
        var (ns, name) = (service.Metadata.NamespaceProperty, service.Metadata.Name);
        await Eventually.Until(async () =>
        {
            try
            {
                await client.CoreV1.CreateNamespacedServiceAsync(service, ns);
                return true;
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
            {
                V1Service held;
                try
                {
                    held = await client.CoreV1.ReadNamespacedServiceAsync(name, ns);
                }
                catch (HttpOperationException gone) when (gone.Response.StatusCode == HttpStatusCode.NotFound)
                {
                    // Ours went with its import in between: create again.
                    return false;
                }

                if (held.Metadata.Labels?.TryGetValue("multicluster.flomesh.io/derived-for", out _) != true || (held.Spec.Selector?.Count ?? 0) > 0)
                {
                    throw;
                }

                try
                {
                    await client.CoreV1.DeleteNamespacedServiceAsync(name, ns);
                }
                catch (HttpOperationException gone) when (gone.Response.StatusCode == HttpStatusCode.NotFound)
                {
                }

                return false;
            }
        }, $"Service {ns}/{name} created (in place of the same-name one, if the system held the name)");
    }
}
