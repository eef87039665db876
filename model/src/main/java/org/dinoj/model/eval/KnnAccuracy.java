package org.dinoj.model.eval;

/**
 * k-NN accuracy at one k: {@code neighbours} is the k actually used (k clamped to the bank size),
 * top-1/top-5 counts out of {@code queries}.
 */
public record KnnAccuracy(int k, int neighbours, int queries, int top1Correct, int top5Correct) {
    /** Top-1 accuracy in percent. */
    public double top1() {
        return percent(top1Correct);
    }

    /** Top-5 accuracy in percent (100 when there are at most 5 classes). */
    public double top5() {
        return percent(top5Correct);
    }

    private double percent(int correct) {
        return queries == 0 ? Double.NaN : 100.0 * correct / queries;
    }
}
