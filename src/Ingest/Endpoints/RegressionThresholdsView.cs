using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

public sealed record RegressionThresholdsView(double P95Factor, double FailureRateFactor, double MinFailureRateIncrease, int MinSamples);
