using Orleans.Storage;

namespace ErieCanal.Orleans.Grains.Storage;

/// <summary>
/// Writes for grains whose in-memory state is the truth once activated. A write refused for a stale ETag means the
/// store no longer holds what this activation last wrote — a store restarted from an older snapshot lost writes, or
/// a write timed out after it landed — so the current ETag is read and the activation's state written over it,
/// instead of failing every later write and reloading the store's older state on the next activation.
/// </summary>
public static class PersistentStateExtensions
{
    public static async Task WriteOverStaleAsync<T>(this IPersistentState<T> state, CancellationToken cancellationToken = default)
    {
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (InconsistentStateException)
        {
            var mine = state.State;
            await state.ReadStateAsync(cancellationToken);
            state.State = mine;
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public static async Task ClearOverStaleAsync<T>(this IPersistentState<T> state, CancellationToken cancellationToken = default)
    {
        try
        {
            await state.ClearStateAsync(cancellationToken);
        }
        catch (InconsistentStateException)
        {
            await state.ReadStateAsync(cancellationToken);
            await state.ClearStateAsync(cancellationToken);
        }
    }
}
