using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using Takedowns.Correlation.Spikes;

namespace Takedowns.Correlation.Tests.Spikes;

/// <summary>The gamma prior of sparse cells: its fit on data of known law, its predictive tail, and its p-values under no change.</summary>
public sealed class SparsePriorTests(ITestOutputHelper output)
{
    [Fact]
    public void the_prior_fitted_to_gamma_poisson_counts_has_their_mean_and_errs_wide()
    {
        // 2,000 cells with rates from Gamma(shape 2, rate 40) (mean 0.05 a day), 84 days each. The method of moments
        // gives back the mean; the shape, from the variance taken at the top of its range, comes out a little below 2
        // (wider), never above it by more than noise.
        var random = new Random(11);
        const double shape = 2, rate = 40, exposure = 84;
        var counts = Enumerable.Range(0, 2000).Select(_ => (long)Poisson.Sample(random, exposure * Gamma.Sample(random, shape, rate))).ToList();
        var prior = GammaPrior.Fit(counts, exposure, maxShape: 100)!.Value;
        output.WriteLine($"shape {prior.Shape:F3}, rate {prior.Rate:F2}, mean {prior.Shape / prior.Rate:F4}");
        Assert.InRange(prior.Shape / prior.Rate, 0.045, 0.055);
        Assert.InRange(prior.Shape, 1.5, 2.05);
    }

    [Fact]
    public void cells_that_look_alike_are_not_taken_to_be_closer_than_the_cap()
    {
        // Every cell at exactly 0.05 a day: the counts are no more spread than Poisson, the variance of the rates by moments
        // is nil, and the shape stops at the cap instead of growing without end (a prior that sure would be a plug-in rate).
        var random = new Random(5);
        var counts = Enumerable.Range(0, 500).Select(_ => (long)Poisson.Sample(random, 84 * 0.05)).ToList();
        var prior = GammaPrior.Fit(counts, 84, maxShape: 4)!.Value;
        Assert.Equal(4, prior.Shape, 9);
        Assert.Equal(0.05, prior.Shape / prior.Rate, 2);
        Assert.Null(GammaPrior.Fit([0, 0, 0, 0], 84, 4));
    }

    [Theory]
    [InlineData(1.8, 44.0, 0, 84.0, 3.0, 3)]
    [InlineData(0.6, 5.0, 2, 80.0, 1.0, 2)]
    [InlineData(4.0, 30.0, 7, 84.0, 7.0, 6)]
    public void the_predictive_tail_is_the_sum_of_its_probabilities(double shape, double rate, long baseline, double exposure, double window, int observed)
    {
        // Negative binomial of size a = shape + b and success probability r / (r + w), r = rate + e, summed term by term.
        double a = shape + baseline, r = rate + exposure;
        double below = 0;
        for (int k = 0; k < observed; k++)
            below += Math.Exp(SpecialFunctions.GammaLn(k + a) - SpecialFunctions.GammaLn(a) - SpecialFunctions.GammaLn(k + 1)
                              + a * Math.Log(r / (r + window)) + k * Math.Log(window / (r + window)));
        Assert.Equal(1 - below, new GammaPrior(shape, rate).Tail(observed, baseline, exposure, window), 1e-10);
    }

    [Fact]
    public void predictive_p_values_of_held_out_windows_are_calibrated()
    {
        // 400 countries of 40 sparse cells, rates from a gamma (shape 1.5, mean 0.04 a day): each country's prior is fitted
        // to its cells' 84 baseline days, and each cell's next 3 days are tested against its predictive. Under no change
        // p <= α must happen at most about α of the time (discrete: usually less).
        var random = new Random(29);
        double[] levels = [0.05, 0.01, 0.002];
        var hits = new int[levels.Length];
        int trials = 0;
        for (int c = 0; c < 400; c++)
        {
            var rates = Enumerable.Range(0, 40).Select(_ => Gamma.Sample(random, 1.5, 1.5 / 0.04)).ToArray();
            var baseline = rates.Select(l => (long)Poisson.Sample(random, 84 * l)).ToList();
            if (GammaPrior.Fit(baseline, 84, 4) is not { } prior) continue;
            for (int i = 0; i < rates.Length; i++)
            {
                double p = prior.Tail(Poisson.Sample(random, 3 * rates[i]), baseline[i], 84, 3);
                trials++;
                for (int j = 0; j < levels.Length; j++) if (p <= levels[j]) hits[j]++;
            }
        }
        for (int j = 0; j < levels.Length; j++)
        {
            double share = hits[j] / (double)trials;
            output.WriteLine($"P(p <= {levels[j]}) = {share:G3} over {trials}");
            Assert.True(share <= levels[j] * 1.1, $"{share} at level {levels[j]}");
        }
    }

    [Fact]
    public void one_extra_report_a_day_in_a_quiet_cell_is_surer_against_the_prior_than_against_its_own_baseline()
    {
        // A cell with no report in 84 days sees 3 in 3 days. Its own baseline cannot say its rate is low: the conditional
        // test gives (3/87)³. Its country's quiet cells (one report in 50 days on average) say more.
        var prior = new GammaPrior(1.8, 1.8 / 0.02);
        double predictive = prior.Tail(3, 0, 84, 3), conditional = ConditionalTail.AtLeast(3, 0, 3, 84);
        output.WriteLine($"predictive {predictive:G3}, conditional {conditional:G3}");
        Assert.True(predictive < conditional / 2, $"{predictive} against {conditional}");
    }
}
