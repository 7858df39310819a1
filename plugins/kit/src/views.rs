//! Larger displays: spectrum analyzer, response curve, scrolling history, vectorscope.
