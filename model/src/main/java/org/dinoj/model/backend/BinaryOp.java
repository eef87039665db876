package org.dinoj.model.backend;

/** Element-wise binary operations with broadcasting of the second operand. */
public enum BinaryOp {
    ADD,
    SUB,
    MUL,
    DIV,
    MAX,
    MIN
}
