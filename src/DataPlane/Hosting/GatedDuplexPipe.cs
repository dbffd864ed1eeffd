using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>
/// A connection's transport with a <see cref="ConnectionGate"/> in both directions: a read returns only once the
/// gate is open, and a flush (what sends the written bytes) waits for it too. While open this adds a call, no copy.
/// </summary>
internal sealed class GatedDuplexPipe(IDuplexPipe inner, ConnectionGate gate) : IDuplexPipe
{
    public PipeReader Input { get; } = new GatedReader(inner.Input, gate);

    public PipeWriter Output { get; } = new GatedWriter(inner.Output, gate);

    private sealed class GatedReader(PipeReader inner, ConnectionGate gate) : PipeReader
    {
        // The gate is checked after the read, not before: an idle connection always has a read pending, and
        // bytes that arrive once the gate has closed must still be held back. Pooled, so a read that waits for
        // data (most do) allocates nothing in the steady state.
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.ReadAsync(cancellationToken);
            await gate.WhileBlockedAsync(cancellationToken);
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            // A blocked gate says "nothing arrived"; the next ReadAsync waits for it.
            var open = gate.WhileBlockedAsync(CancellationToken.None);
            if (!open.IsCompleted)
            {
                result = default;
                return false;
            }

            return inner.TryRead(out result);
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    private sealed class GatedWriter(PipeWriter inner, ConnectionGate gate) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            var open = gate.WhileBlockedAsync(cancellationToken);
            return open.IsCompletedSuccessfully ? inner.FlushAsync(cancellationToken) : FlushLaterAsync(open, cancellationToken);
        }

        private async ValueTask<FlushResult> FlushLaterAsync(ValueTask open, CancellationToken cancellationToken)
        {
            await open;
            return await inner.FlushAsync(cancellationToken);
        }
    }
}
