package org.dinoj.workflows;

/** k-NN accuracy (percent) of the teacher's CLS features at one checkpoint. */
public record EvalResult(int epoch, long step, int k, double top1, double top5) {
}
