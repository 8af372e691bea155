export * from './names';
export * from './render';
export { detectorNFT } from './servicePort';
export { BASE_CHAINS } from './setup';
export { checkNftVersion, NFT_FORMATS, renderNftRules } from './register';
export { NFT_DEFAULT_PROFILE, NFT_PROFILES, nftProfile, type NftProfile } from './profiles';
export { nftLayoutOf, type NftLayoutGuess } from './detect';
