# Found by running: [row.layer for row in mask_propagation_table(more_cases()) if row.verdict == "destroys"].
# Each of them changes or rearranges the time axis, and none of them declares how the mask should follow.
destroyers = {"Cropping1D", "MaxPooling1D", "Permute", "UpSampling1D", "ZeroPadding1D"}
