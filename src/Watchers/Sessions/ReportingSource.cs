using System.Runtime.CompilerServices;
using ErieCanal.Orleans.Watchers.Informers;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>
/// A resource source that tells a <see cref="WatchState"/> when its calls fail or succeed, so a session learns of
/// a broken watch when it breaks instead of polling its informers. An expired history (410) is not a failure: the
/// informer relists.
/// </summary>
public sealed class ReportingSource<T>(IResourceSource<T> inner, WatchState state, CancellationToken stopping) : IResourceSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public string Description => inner.Description;

    public async Task<ResourceList<T>> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            var list = await inner.ListAsync(cancellationToken);
            state.MarkProgress();
            return list;
        }
        catch (Exception ex) when (Counts(ex))
        {
            state.MarkFailed(ex);
            throw;
        }
    }

    public async IAsyncEnumerable<ResourceEvent<T>> WatchAsync(string resourceVersion, TimeSpan serverTimeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var events = inner.WatchAsync(resourceVersion, serverTimeout, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            ResourceEvent<T> current;
            try
            {
                if (!await events.MoveNextAsync())
                {
                    yield break;
                }

                current = events.Current;
            }
            catch (Exception ex) when (Counts(ex))
            {
                state.MarkFailed(ex);
                throw;
            }

            state.MarkProgress();
            yield return current;
        }
    }

    private bool Counts(Exception ex) => ex is not ResourceExpiredException && !stopping.IsCancellationRequested;
}
