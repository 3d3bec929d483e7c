using System.Runtime.CompilerServices;
using Ingest.Storage.Details;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Details;

/// <summary>Issue 29: the producer's side of the per-day dictionaries: sample, train off-thread, compress, cap.</summary>
public sealed class DetailCompressionTests
{
    private static readonly DateOnly s_day = new(2026, 11, 22);
    private static readonly double s_at = At(2026, 11, 22, 10);

    [Fact]
    public void For_DayTheWriterDidNotRegister_StaysRawAndSamplesNothing_Issue29()
    {
        var trainings = new StrongBox<int>();
        var compression = CountingTrainings(trainings);

        for (var i = 0; i < 2_000; i++)
        {
            Assert.Null(compression.For(s_day, DetailSamples.Record("r", i, s_at)));
        }

        Assert.Equal(0, trainings.Value);
    }

    [Fact]
    public void For_RegisteredDay_TrainsOnAThreadPoolThreadOnceTheSampleIsFullThenCompresses_Issue29()
    {
        Task? training = null;
        var compression = new DetailCompression(DetailSamples.SampleBytes, dictionaryBytes: 4 << 10, run: a => training = Task.Run(a));
        compression.Register(s_day, [], maxId: 0);

        // Every record below is prepared on this thread (the producer's), which stays busy until the training is done.
        var producer = Environment.CurrentManagedThreadId;
        var i = 0;
        while (training is null)
        {
            // Raw until the dictionary exists: the producer never waits for the training.
            Assert.Null(compression.For(s_day, DetailSamples.Record("r", i++, s_at)));
            Assert.True(i < 10_000, "the sample never filled");
        }

        Assert.True(SpinWait.SpinUntil(() => training.IsCompleted, TimeSpan.FromSeconds(60)), "training did not finish");
        Assert.NotEqual(producer, compression.LastTrainingThread);
        Assert.Equal(1, compression.Trained);
        var dictionary = compression.For(s_day, DetailSamples.Record("r", i, s_at));
        Assert.NotNull(dictionary);
        Assert.Equal(1, dictionary.Id);
        Assert.False(dictionary.Stored);
        Assert.InRange(dictionary.Bytes.Length, 1, 4 << 10);
    }

    [Fact]
    public void For_HugeValues_SampleTakesTheirFirstCharactersOnlyAndStaysNearItsCap_Issue29()
    {
        var trainings = new StrongBox<int>();
        var compression = CountingTrainings(trainings);
        compression.Register(s_day, [], maxId: 0);

        // Values of a megabyte each: one of them used to be the whole sample, copied whole.
        var records = 0;
        while (trainings.Value == 0 && records < 1_000)
        {
            var record = DetailSamples.Record("r", records, s_at) with { Args = new string((char)('a' + (records % 26)), 1 << 20) };
            Assert.Null(compression.For(s_day, record));
            records++;
        }

        Assert.Equal(1, trainings.Value);
        Assert.True(records >= DetailSamples.SampleBytes / (DetailCompression.MaxSampleValueChars + 200), $"the sample filled after {records} records");
        Assert.InRange(compression.LastSampleBytes, DetailSamples.SampleBytes, DetailSamples.SampleBytes + (3 * DetailCompression.MaxSampleValueChars));
    }

    [Fact]
    public void Register_StoredDictionaries_UsesTheNewestAndANewOneTakesTheNextId_Issue29()
    {
        var compression = DetailSamples.Inline();
        var older = DetailCodecTests.Trained(2);
        var newest = DetailCodecTests.Trained(5);

        compression.Register(s_day, [older, newest], maxId: 5);
        Assert.Same(newest, compression.For(s_day, DetailSamples.Record("r", 0, s_at)));

        // Forgotten (its details dropped) and written again: a new dictionary, never a reused id.
        compression.Forget(s_day);
        compression.Register(s_day, [], maxId: 7);
        DictionaryOfDay? trained = null;
        for (var i = 0; trained is null && i < 10_000; i++)
        {
            trained = compression.For(s_day, DetailSamples.Record("r", i, s_at));
        }

        Assert.Equal(8, trained?.Id);
    }

    [Fact]
    public void Register_PastTheMemoryCap_OldestDaysDictionaryGoesCountedAndItsDayStaysRaw_Issue29()
    {
        var first = DetailCodecTests.Trained(1);
        var compression = new DetailCompression(maxMemoryBytes: first.MemoryBytes + (first.MemoryBytes / 2));
        var next = new DictionaryOfDay(s_day.AddDays(1), 1, first.Bytes);

        compression.Register(s_day, [new DictionaryOfDay(s_day, 1, first.Bytes)], maxId: 1);
        compression.Register(s_day.AddDays(1), [next], maxId: 1);

        Assert.Equal(1, compression.Evicted);
        Assert.Null(compression.For(s_day, DetailSamples.Record("r", 0, s_at)));
        Assert.Same(next, compression.For(s_day.AddDays(1), DetailSamples.Record("r", 0, s_at + 86_400)));
    }

    /// <summary>A compression with the small sample whose trainings are only counted, never run.</summary>
    private static DetailCompression CountingTrainings(StrongBox<int> trainings) =>
        new(DetailSamples.SampleBytes, run: a =>
        {
            trainings.Value++;
            return Task.CompletedTask;
        });
}
