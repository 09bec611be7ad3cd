#pragma once
// The example in the BYU flagellar-motor metric's docstring (4 tomograms at 10 Å; F2 = 5/14), as the
// labels and submission files the scoring tests read.
namespace tomopick::test {

inline constexpr const char* kByuExampleLabels =
    "row_id,tomo_id,Motor axis 0,Motor axis 1,Motor axis 2,Array shape (axis 0),Array shape (axis 1),"
    "Array shape (axis 2),Voxel spacing,Number of motors\n"
    "0,tomo_0,-1,-1,-1,500,900,900,10,0\n1,tomo_1,250,250,250,500,900,900,10,1\n"
    "2,tomo_2,100,100,100,500,900,900,10,1\n3,tomo_3,200,200,200,500,900,900,10,1\n";

inline constexpr const char* kByuExampleSubmission =
    "tomo_id,Motor axis 0,Motor axis 1,Motor axis 2\n"
    "tomo_0,100,100,100\ntomo_1,251,251,251\ntomo_2,600,600,600\ntomo_3,-1,-1,-1\n";

}  // namespace tomopick::test
